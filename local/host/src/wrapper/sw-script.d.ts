// The service-worker tenant's script, imported for its side effects (it calls
// addEventListener). The stand-in supplies this module at load time.
export {};
