// The telephony pieces tests outside the module and the benchmarks use (the lint rule lets them import only a
// module's index.ts or this file).
export { SipProvider, freeUdpPort, type SipProviderOptions } from './sip/ua';
export { mediaClock } from './media/clock';
export { PEER_ADDRESS, Peer, freeTcpPort, startBaresip, startKamailio } from './sip/testing/peers';
