"""Importing applications from the spreadsheets staff have: ``sources`` reads CSV, XLSX
and JSON into one shape, ``mapping`` says which column is which field, ``rows`` checks
each row, and ``workflow`` previews, validates and commits an import, all or nothing.
"""
