"""The one read side of a child's record (docs/architecture.md, ADR 0008).

Opening a record decides, audits and answers 404 (``record.access.open_record``); what
is read through it comes back as frozen rows already redacted for the viewer. It sits
between the foundation apps and the features: it imports the foundation and the access
app's decision data (``access.models``, ``access.sections``, ``access.limits``), nothing
above. The layering test (``sightline/tests/test_layers.py``) keeps it so.
"""
