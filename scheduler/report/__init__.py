"""Reports: terminal tables, and (in report/html.py) self-contained HTML with charts."""
