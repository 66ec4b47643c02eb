// Always throws, so the dispatcher's tenant_exception mapping (HTTP 500 with the
// message) and the tail's exception records have something to show.
export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    throw new Error(`thrower: this tenant always fails (demo), path ${path}`);
  },
};
