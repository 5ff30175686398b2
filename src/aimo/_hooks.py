"""The one pluggy marker pair shared by aimo and its plugins."""

from __future__ import annotations

import pluggy

PROJECT = "aimo"
#: Marks a plugin's implementation of one of the hooks in :mod:`aimo.hookspecs`.
hookimpl = pluggy.HookimplMarker(PROJECT)
hookspec = pluggy.HookspecMarker(PROJECT)
