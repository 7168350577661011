"""Seeds of `webhook`: a selector byte (the index of the host and event in
`tfreg_core::fuzzing::WEBHOOK_EVENTS`) and the body: every payload fixture of
registry-core/tests/scm/fixtures/ under its event, and bodies that are not the event's JSON."""

import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "registry-core", "tests", "scm", "fixtures")

EVENTS = [
    "installation", "installation_repositories", "create", "push", "release", "repository", "ping",
    "Tag Push Hook", "repo:push", "repo:refs_changed", "diagnostics:ping", "star",
]

BY_FILE = {
    "github": lambda name: name.split(".")[0],
    "gitlab": lambda name: "Tag Push Hook",
    "bitbucket-cloud": lambda name: "repo:push",
    "bitbucket-dc": lambda name: "diagnostics:ping" if name.startswith("diagnostics") else "repo:refs_changed",
}


def seeds():
    out = {}
    for folder, event_of in sorted(BY_FILE.items()):
        for name in sorted(os.listdir(os.path.join(FIXTURES, folder))):
            with open(os.path.join(FIXTURES, folder, name), "rb") as f:
                body = f.read()
            event = event_of(name)
            out[f"{folder}-{name[:-5]}-ok"] = bytes([EVENTS.index(event)]) + body
    out["github-star-ignored-ok"] = bytes([EVENTS.index("star")]) + b'{"action": "created"}'
    for at, event in enumerate(EVENTS[:6] + EVENTS[7:10]):
        index = EVENTS.index(event)
        out[f"bad-{at:02}-not-json"] = bytes([index]) + b"not json"
        out[f"bad-{at:02}-wrong-shape"] = bytes([index]) + b'{"ref": 1, "action": [], "push": null}'
    out["bad-empty-body"] = bytes([3])
    return out
