"""Exports: the KPI tables, the visit log, the arrears list and a collector's cash
statement as CSV (UTF-8 with BOM) or .xlsx, streamed, formula injection neutralised."""
