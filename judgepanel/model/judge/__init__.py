"""The judge workspace and the judging session, on the judge's own computer.

``schema`` (the tables), ``workspace`` (storage, trust in the staff key),
``session`` (the judging rules: declare, read, score), ``records`` (the values it
hands out and the results document), ``export`` (writing the results file) and
``bundle_readers``. May import storage, rubric and scoring; never ``staff``.
"""
