// Shared vitest settings: sibling packages resolve to their TypeScript sources, so tests never
// need a build first and always exercise the code in the working tree.
import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('.', import.meta.url));

export function workspaceAliases(): { find: string | RegExp; replacement: string }[] {
  const aliases: { find: string | RegExp; replacement: string }[] = [];
  for (const name of readdirSync(join(root, 'packages'))) {
    if (name === 'foundation') continue; // private, imported as @smtpkit/foundation
    const src = join(root, 'packages', name, 'src');
    if (existsSync(join(src, 'node', 'index.ts'))) {
      aliases.push({ find: new RegExp(`^${name}/node$`), replacement: join(src, 'node', 'index.ts') });
    }
    for (const entry of ['message', 'learned']) {
      if (existsSync(join(src, entry, 'index.ts'))) aliases.push({ find: new RegExp(`^${name}/${entry}$`), replacement: join(src, entry, 'index.ts') });
    }
    aliases.push({ find: new RegExp(`^${name}$`), replacement: join(src, 'index.ts') });
  }
  aliases.push({ find: /^@smtpkit\/foundation$/, replacement: join(root, 'packages', 'foundation', 'src', 'index.ts') });
  aliases.push({ find: /^@smtpkit\/testkit$/, replacement: join(root, 'tools', 'testkit', 'src', 'index.ts') });
  return aliases;
}
