"""Pure rules of reference data: validation of items (items.py), the decider (decide.py), the search
(search.py), reading CSV files (csv_rows.py)."""
