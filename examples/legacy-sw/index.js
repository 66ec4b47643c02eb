// Service-worker syntax, as in the seed's raw upload: uploaded with
// `Content-Type: application/javascript`, and run by the stand-in through its
// module shim.
addEventListener("fetch", (event) => {
  event.respondWith(new Response("Hello from a service-worker-syntax tenant!\n"));
});
