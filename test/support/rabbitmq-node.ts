import { connect as amqpConnect } from 'amqplib';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The server script itself: /usr/sbin/rabbitmq-server switches to the rabbitmq user and drops the env. */
const SERVER_SCRIPT = '/usr/lib/rabbitmq/bin/rabbitmq-server';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A RabbitMQ node the test owns (its own node name, ports, data dir, config and cookie), so a drill
 * can kill and restart a broker process; the shared broker on 5672 is never touched. `remove()`
 * (in afterAll) kills it and deletes its directory.
 */
export class TestRabbitNode {
  readonly nodeName = `es-drill-${randomBytes(4).toString('hex')}@localhost`;
  readonly dir = mkdtempSync(join(tmpdir(), 'es-drill-rabbit-'));
  port = 0;
  private distPort = 0;
  private child: ChildProcess | undefined;
  private output = '';

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  /** Starts the node (the same ports and data dir on every call) and waits until AMQP answers. */
  async start(timeoutMs = 40_000): Promise<number> {
    const startedAt = Date.now();
    if (this.port === 0) await this.configure();
    const env = {
      ...process.env,
      // The cookie is created in (and read from) HOME: the node's own, not root's or rabbitmq's.
      HOME: this.dir,
      // Not /etc/rabbitmq/rabbitmq-env.conf: it names the shared node.
      RABBITMQ_CONF_ENV_FILE: join(this.dir, 'rabbitmq-env.conf'),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
    };
    // Its own process group: SIGKILL to the group takes the script and the Erlang VM down at once.
    const child = spawn(SERVER_SCRIPT, [], {
      cwd: this.dir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    while (!(await this.answers())) {
      if (child.exitCode !== null || Date.now() - startedAt > timeoutMs) {
        await this.kill();
        throw new Error(
          `the test's RabbitMQ node ${this.nodeName} did not start within ${timeoutMs} ms ` +
            `(is RabbitMQ installed at ${SERVER_SCRIPT}?); its output:\n${this.output.slice(-3000)}`,
        );
      }
      await sleep(200);
    }
    return Date.now() - startedAt;
  }

  /**
   * Waits until `queue` holds at least `atLeast` ready (published, confirmed, not yet delivered)
   * messages and returns how many: what a crash of a non-durable broker would lose.
   */
  async waitForReadyMessages(queue: string, atLeast: number, timeoutMs = 15_000): Promise<number> {
    const conn = await amqpConnect(this.url);
    conn.on('error', () => undefined);
    try {
      const channel = await conn.createChannel();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { messageCount } = await channel.checkQueue(queue);
        if (messageCount >= atLeast) return messageCount;
        if (Date.now() > deadline) {
          throw new Error(
            `queue ${queue} held ${messageCount} ready messages, not ${atLeast}, after ${timeoutMs} ms`,
          );
        }
        await sleep(20);
      }
    } finally {
      await conn.close();
    }
  }

  /** SIGKILL: no clean shutdown, unflushed state is gone as in a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
    await exited;
  }

  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async configure(): Promise<void> {
    this.port = await freePort();
    this.distPort = await freePort();
    writeFileSync(join(this.dir, 'rabbitmq-env.conf'), '');
    // No plugins: the management plugin's port would clash with the shared node's.
    writeFileSync(join(this.dir, 'enabled_plugins'), '[].\n');
    // /etc/rabbitmq/rabbitmq.conf would bind the shared node's 5672.
    writeFileSync(
      join(this.dir, 'rabbitmq.conf'),
      `listeners.tcp.default = 127.0.0.1:${this.port}\n`,
    );
  }

  private async answers(): Promise<boolean> {
    try {
      const conn = await amqpConnect(this.url);
      await conn.close();
      return true;
    } catch {
      return false;
    }
  }
}
