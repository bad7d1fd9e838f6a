"""When each recipient may be reached: their time zone, quiet hours, local-time sends."""
