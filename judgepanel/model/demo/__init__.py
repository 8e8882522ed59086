"""The demo program: realistic made-up content (``content``), the files staff would
receive (``files``), and a whole round built through the real workflows of staff and
judges (``build``). May import any other room.
"""
