// A browser profile confined to the field host (patrolmap.test, mapped to the test server by
// Chromium's --host-resolver-rules): any other address is refused and noted in `outside`, and
// a rejected promise nobody handles is logged as an error, so it counts as much as a throw.
// Shared by the phone test (field.mjs) and the dispatch test (dispatch.mjs).

export const FIELD_HOST = "patrolmap.test";

export async function confinedContext(browser, options, outside) {
  const context = await browser.newContext(options);
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || url.hostname === FIELD_HOST) return route.continue();
    outside.push(url.href);
    return route.abort("blockedbyclient");
  });
  await context.addInitScript(() => {
    window.addEventListener("unhandledrejection", (e) => console.error(`unhandled rejection: ${e.reason?.message || e.reason}`));
  });
  return context;
}
