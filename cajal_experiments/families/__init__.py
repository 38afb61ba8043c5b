"""The five task families of the original code, one module each (see `experiments.family`)."""

from . import and_, blur, dilate, dilate_cond, eq

ALL = {f.FAMILY.name: f.FAMILY for f in (dilate, dilate_cond, blur, and_, eq)}
