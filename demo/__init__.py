"""The demo county (Luonan, Shaanxi): a deterministic generator of stations, staff,
accounts, bills, payments and visits, and the hidden truth behind their behaviour."""
