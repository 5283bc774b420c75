// Runs s3rver in its own process (see s3rver.ts for why): serves argv[2] (a folder) on
// 127.0.0.1 at a free port, prints {"port":N} once listening, and stops on SIGTERM or when the
// parent goes away (its stdin closes).
const S3rver = require("s3rver");

const server = new S3rver({ address: "127.0.0.1", port: 0, directory: process.argv[2], silent: !process.env.S3RVER_LOG });
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + "\n"),
  (error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
    process.exit(1);
  },
);
const stop = () => server.close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
