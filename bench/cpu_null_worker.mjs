// The floor of the CPU benchmark (bench/workerd_cpu.mjs): a Worker that reads the request body and
// answers 200, nothing else: what workerd spends per request on HTTP and the body alone.
export default {
  async fetch(request) {
    await request.arrayBuffer();
    return new Response('{"success":true}', { headers: { "content-type": "application/json" } });
  },
};
