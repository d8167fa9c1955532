#!/usr/bin/env python3
"""The playground in a real browser: Debian's headless Chromium driven by
Playwright (never a downloaded browser).

Starts ex4-playground on a free port with the course's 8-bit digits, opens
the URL it prints, clicks Run with the default settings and waits for the
iteration count to reach 40 (within 60 s) with a held-out accuracy of 85% or
more, draws a vertical stroke down the middle of the drawing canvas and
expects a 1, checks that the page logged no error, keeps a screenshot, and
stops the server with Ctrl-C (SIGINT), which must end it cleanly.

Usage: playground_browser_test.py EX4_PLAYGROUND DATA_FILE SCREENSHOT
"""
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def start_server(executable, data):
    server = subprocess.Popen(
        [executable, "--port", "0", "--data", data], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            fail(f"ex4-playground ended before printing its URL: {server.stderr.read()}")
        match = re.fullmatch(r"Playground: (http://127\.0\.0\.1:(\d+)/)\?token=([0-9a-f]{64})\n", line)
        if match:
            return server, match.group(1), match.group(3)
    fail("ex4-playground printed no URL line within 120 s")


def wait_for(condition, timeout, what):
    """Polls `condition` from Python (the page's Content-Security-Policy forbids eval)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    fail(f"{what} did not happen within {timeout} s")


def status_without_token(base):
    try:
        urllib.request.urlopen(base, timeout=10)
    except urllib.error.HTTPError as error:
        return error.code
    return 200


def main():
    executable, data, screenshot = sys.argv[1:4]
    server, base, token = start_server(executable, data)
    try:
        code = status_without_token(base)
        if code not in (401, 403):
            fail(f"without the token the page answered {code}, not 401/403")
        errors = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 1100})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}?token={token}")
            wait_for(lambda: page.locator("#data-source").text_content().startswith("Digits"), 30, "connecting")

            started = time.monotonic()
            page.get_by_test_id("train").click()
            wait_for(lambda: int(page.get_by_test_id("iteration").text_content()) >= 40, 60, "iteration 40")
            seconds = time.monotonic() - started
            accuracy = page.get_by_test_id("accuracy").text_content()
            print(f"iteration 40 after {seconds:.1f} s; held-out accuracy then {accuracy}")
            if float(accuracy.rstrip("%")) < 85:
                fail(f"the held-out accuracy at iteration 40 is {accuracy}, below 85%")
            wait_for(lambda: page.locator("#state").text_content() == "finished", 60, "the end of training")

            # A vertical stroke down the middle of the canvas.
            page.get_by_test_id("draw-canvas").scroll_into_view_if_needed()
            box = page.get_by_test_id("draw-canvas").bounding_box()
            x = box["x"] + box["width"] / 2
            page.mouse.move(x, box["y"] + box["height"] * 0.15)
            page.mouse.down()
            for k in range(1, 21):
                page.mouse.move(x, box["y"] + box["height"] * (0.15 + 0.7 * k / 20))
            page.mouse.up()
            wait_for(lambda: re.fullmatch(r"[0-9]", page.get_by_test_id("guess").text_content()), 10, "a guess")
            time.sleep(0.5)  # the answer to the last point of the stroke
            guess = page.get_by_test_id("guess").text_content()
            print(f"the vertical stroke is read as {guess}")
            if guess != "1":
                fail(f"a vertical stroke was read as {guess}, not 1")

            page.screenshot(path=screenshot, full_page=True)
            print(f"screenshot: {screenshot}")
            browser.close()
        if errors:
            fail("the page logged errors: " + "; ".join(errors))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            status = server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            fail("ex4-playground did not stop within 15 s of Ctrl-C")
    if status != 0:
        fail(f"ex4-playground exited with status {status} after Ctrl-C: {server.stderr.read()}")
    print("ex4-playground stopped cleanly on Ctrl-C")


if __name__ == "__main__":
    main()
