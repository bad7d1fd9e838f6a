"""The stop-list: addresses that never receive messages, as /stoplist shows and changes them."""
