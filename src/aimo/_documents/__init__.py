"""The documents layer: what a workflow and an operating model are, and reading them safely.

``models`` (the pydantic models), ``reader`` (a file to plain data and positions, within
``limits``), ``yamlsource`` (YAML kept to JSON's data model), ``validate`` (plain data to a
model, every problem at once), ``loader`` (a model with its workflow files), ``files``
(regular files inside a folder), ``source`` and ``pointer`` (where a value stands),
``canonical`` (canonical JSON and its digest), ``frozen`` (immutable lists and mappings),
``run`` (one run of a workflow), ``dates``, ``textfold`` and ``printable`` (text as it is
compared and as it is shown).
"""
