import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayeredFs, type LayerEntry, type Node } from './rootfs.ts';

type E = Partial<LayerEntry> & { name: string };

/** Applies layers of entries (files by default) and lists every path left, `path -> target` for symlinks. */
function build(layers: readonly (readonly E[])[]): { fs: LayeredFs; paths: string[]; issues: string[] } {
  const fs = new LayeredFs();
  const issues: string[] = [];
  layers.forEach((entries, layer) =>
    entries.forEach((e, ordinal) => {
      const r = fs.apply(layer, ordinal, { type: 'file', size: 0, ...e });
      if (r.kind === 'issue') issues.push(`${e.name}: ${r.message}`);
    }),
  );
  const paths: string[] = [];
  const visit = (node: Node, path: string) => {
    if (node.kind === 'dir') for (const [n, c] of node.children) visit(c, path === '' ? n : `${path}/${n}`);
    else paths.push(node.kind === 'symlink' ? `${path} -> ${node.target}` : path);
  };
  visit(fs.root, '');
  return { fs, paths: paths.sort(), issues };
}

const cases: { name: string; layers: E[][]; paths: string[]; issues?: string[] }[] = [
  {
    name: 'a later layer replaces a file; a file replaces a directory',
    layers: [
      [{ name: 'a/x' }, { name: 'd/inner' }],
      [{ name: './a/x', size: 5 }, { name: 'd' }],
    ],
    paths: ['a/x', 'd'],
  },
  {
    name: 'whiteout deletes a file or a whole directory of a lower layer',
    layers: [
      [{ name: 'a/x' }, { name: 'a/y' }, { name: 'b/c/d' }],
      [{ name: 'a/.wh.x' }, { name: '.wh.b' }],
    ],
    paths: ['a/y'],
  },
  {
    name: 'a whiteout does not hide what its own layer adds',
    layers: [[{ name: 'a/x' }], [{ name: 'a/y' }, { name: 'a/.wh.y' }]],
    paths: ['a/x', 'a/y'],
  },
  {
    name: 'opaque directory: lower contents hidden wherever the marker sits in the tar, this layer kept',
    layers: [
      [{ name: 'o/old' }, { name: 'o/sub/old' }, { name: 'keep' }],
      [{ name: 'o/sub/new' }, { name: 'o/.wh..wh..opq' }, { name: 'o/new' }],
    ],
    paths: ['keep', 'o/new', 'o/sub/new'],
  },
  {
    name: 'a directory entry over a directory keeps its contents; aufs metadata is ignored',
    layers: [[{ name: 'a/x' }], [{ name: 'a/', type: 'dir' }, { name: '.wh..wh.plnk' }]],
    paths: ['a/x'],
  },
  {
    name: 'entries under a symlinked parent land in its target (merged /usr)',
    layers: [
      [
        { name: 'usr/lib/', type: 'dir' },
        { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      ],
      [{ name: 'lib/x.so' }, { name: 'bin', type: 'symlink', linkname: '/usr/bin' }, { name: 'bin/sh' }],
    ],
    paths: ['bin -> /usr/bin', 'lib -> usr/lib', 'usr/bin/sh', 'usr/lib/x.so'],
  },
  {
    name: 'names that climb out, parents through links that leave or loop: skipped with an issue',
    layers: [
      [
        { name: '../evil' },
        { name: 'a/../../evil' },
        { name: 'up', type: 'symlink', linkname: '../..' },
        { name: 'up/evil' },
        { name: 'loop', type: 'symlink', linkname: 'loop' },
        { name: 'loop/x' },
      ],
    ],
    paths: ['loop -> loop', 'up -> ../..'],
    issues: [
      '../evil: the entry name climbs out of the root with "..": skipped',
      'a/../../evil: the entry name climbs out of the root with "..": skipped',
      'up/evil: links outside the image: skipped',
      'loop/x: too many levels of symbolic links: skipped',
    ],
  },
  {
    name: 'hard links share their target; a link to nothing is an issue',
    layers: [
      [{ name: 'a', size: 3 }],
      [
        { name: 'b', type: 'link', linkname: 'a' },
        { name: 'c', type: 'link', linkname: 'zz' },
      ],
    ],
    paths: ['a', 'b'],
    issues: ['c: hard link to zz: no such file in the image'],
  },
];

for (const c of cases) {
  test(`layers: ${c.name}`, () => {
    const r = build(c.layers);
    assert.deepEqual(r.paths, [...c.paths].sort());
    assert.deepEqual(r.issues, c.issues ?? []);
  });
}

test('resolve: symlinks followed inside the root, absolute ones from the root, never out, loops bounded', () => {
  const { fs } = build([
    [
      { name: 'data/lock.json', size: 7 },
      { name: 'app/abs', type: 'symlink', linkname: '/data/lock.json' },
      { name: 'app/rel', type: 'symlink', linkname: '../data/lock.json' },
      { name: 'app/dirlink', type: 'symlink', linkname: '../data' },
      { name: 'app/out', type: 'symlink', linkname: '../../etc/passwd' },
      { name: 'app/a', type: 'symlink', linkname: 'b' },
      { name: 'app/b', type: 'symlink', linkname: 'a' },
      { name: 'app/dangling', type: 'symlink', linkname: 'nothing' },
    ],
  ]);
  const show = (p: string) => {
    const r = fs.resolve(p);
    return r.ok ? `${r.path} ${r.node.kind}` : r.reason;
  };
  assert.equal(show('app/abs'), 'data/lock.json file');
  assert.equal(show('app/rel'), 'data/lock.json file');
  assert.equal(show('app/dirlink/lock.json'), 'data/lock.json file');
  assert.equal(show('app/dirlink/../app/abs'), 'data/lock.json file');
  assert.equal(show('app/out'), 'outside');
  assert.equal(show('app/a'), 'loop');
  assert.equal(show('app/dangling'), 'missing');
  assert.equal(show('app/abs/x'), 'notdir');
  const link = fs.resolve('app/abs', false);
  assert.ok(link.ok && link.node.kind === 'symlink');
});
