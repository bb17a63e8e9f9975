/** A SHA-256 hash, with node:crypto loaded when one is first needed, not when the CLI starts. */
export function sha256() {
  return process.getBuiltinModule('node:crypto').createHash('sha256');
}
