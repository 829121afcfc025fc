"""A one-line progress counter for the import commands, shown only on a terminal."""


class TerminalLine:
    """A line rewritten in place (``show``) until something else is printed (``close`` first).

    ``stream`` is a command's ``self.stdout``; on anything but a terminal the line stays off, so
    logs and pipes get only the commands' ordinary lines.
    """

    def __init__(self, stream, *, enabled: bool = True):
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self.open = False

    def show(self, text: str) -> None:
        if self.enabled:
            # Carriage return, the text, then erase what a longer earlier text left on the line.
            self.stream.write(f"\r{text}\x1b[K", ending="")
            self.stream.flush()
            self.open = True

    def close(self) -> None:
        if self.open:
            self.stream.write("")
            self.open = False
