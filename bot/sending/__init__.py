"""Sending: a confirmed draft becomes a campaign whose every recipient is submitted exactly once; pauses, resumption and the questions asked after an unclear answer or a crash."""
