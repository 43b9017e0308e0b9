"""The national children's social care returns: the CIN census and the SSDA903.

Pure, database-free modules: the code lists (``codes``), and the readers and writers of
the two returns. The case app (``sightline.cases``) maps them onto its models.
"""
