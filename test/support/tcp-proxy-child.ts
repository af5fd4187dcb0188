import { TcpProxy } from './tcp-proxy.js';

//
// The drill's TCP proxy in a process of its own, so a test process that blocks (SQLite waits for
// the write lock synchronously) does not stall the traffic: SIGUSR1 cuts every connection and
// refuses new ones, SIGUSR2 accepts again.

const { host, port } = JSON.parse(process.argv[2]) as { host: string; port: number };
const proxy = await new TcpProxy(host, port).start();
process.on('SIGUSR1', () => {
  proxy.cut();
  process.stdout.write('cut\n');
});
process.on('SIGUSR2', () => {
  proxy.restore();
  process.stdout.write('restored\n');
});
process.stdout.write(`listening on ${proxy.port}\n`);
