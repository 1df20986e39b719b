import time
from tests.e2e.test_accessibility import role_context, AXE_SOURCE, RUN_AXE
URLS = ['/', '/notices/party', '/notices/workspace', '/disclosure/compliance', '/admin/users', '/notices/12', '/notices/search', '/notices/new']
def test_init(browser, live_server, session_cookie):
    ctx = role_context(browser, live_server, session_cookie, "admin")
    ctx.add_init_script(script=AXE_SOURCE)
    page = ctx.new_page()
    for url in URLS:
        t0=time.perf_counter(); page.goto(url); t1=time.perf_counter()
        page.evaluate(RUN_AXE); t3=time.perf_counter()
        print(f"I {url:28s} goto {t1-t0:.2f} axe {t3-t1:.2f}")
def test_route(browser, live_server, session_cookie):
    ctx = role_context(browser, live_server, session_cookie, "admin")
    ctx.route("**/__e2e__/axe.js", lambda route: route.fulfill(body=AXE_SOURCE, content_type="application/javascript", headers={"Cache-Control": "max-age=3600"}))
    page = ctx.new_page()
    for url in URLS:
        t0=time.perf_counter(); page.goto(url); t1=time.perf_counter()
        page.add_script_tag(url="/__e2e__/axe.js"); t2=time.perf_counter()
        page.evaluate(RUN_AXE); t3=time.perf_counter()
        print(f"R {url:28s} goto {t1-t0:.2f} inject {t2-t1:.2f} axe {t3-t2:.2f}")
