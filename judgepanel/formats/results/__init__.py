"""Results files (``.jpresults``): a judge's signed scores, encrypted to the staff.

``spec`` says what a results file is (members, limits, the document as typed structs),
``checks`` holds every rule of the document, ``quick`` reads the files JudgePanel
writes in C, and ``file`` reads and writes whole files.
"""
