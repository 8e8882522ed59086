"""Importing applications from the spreadsheets staff have: ``sources`` reads CSV, XLSX
and JSON into one shape, ``mapping`` says which column is which field, ``rows`` checks
each row (a repeat of an application already in the program included), ``formulas``
names workbook cells that hold a formula without a saved value, and ``workflow``
previews, validates and commits an import, all or nothing.
"""
