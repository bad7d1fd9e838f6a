"""The interface catalogues, <lang>/LC_MESSAGES/*.po, installed with the program as package data."""
