"""Customer accounts, territories and their areas, responsibility, the account import,
workload."""
