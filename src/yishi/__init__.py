"""Yishi (议事): consultation meetings for residential compounds."""

import os

os.environ.setdefault("PICCOLO_CONF", "yishi.piccolo_conf")
