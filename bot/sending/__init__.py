"""Sending: a confirmed draft becomes a campaign whose every recipient is submitted exactly once.

`engine` (Sender) creates, launches, resumes and drains; `creation` makes a campaign from a list
once, its copy off the event loop; `submission` runs one pass over a campaign's rows, with
`request_slots` bounding requests in flight, `outgoing` building each message, `answer_buffer`
writing answers in batches and `run_report` saying how the pass ended. `pass_end` acts on how a
pass ended (a question, a pause, the submission closed); `recovery` keeps the questions about
rows whose fate is unknown; `authors` tells authors about pauses and questions,
as the facts in `notices`, which `cards` renders with their buttons. `from_settings` derives the
platform, the submission options and the callback address from the settings.
"""
