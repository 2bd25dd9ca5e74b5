// Maven pom.xml, offline: the declared dependencies with `${property}` references resolved from the file's
// <properties>, the project's and its <parent>'s coordinates (`${project.version}`, `${project.parent.version}`)
// and, when the parent POM sits at its <relativePath> (default ../pom.xml) and the walker read it, the
// parent's properties and <dependencyManagement>. Versions it cannot resolve without a repository (a BOM
// import, an undefined property, a version range) are reported as issues, not guessed. `test` scope is dev.
import { Collector, dirName, type RelatedFiles } from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';
import { child, childText, children, parseXml, type XmlElement } from '../../inventory/xml.ts';

type Coordinates = { groupId?: string; artifactId?: string; version?: string };

type PomModel = {
  project: XmlElement;
  coords: Coordinates;
  parent?: Coordinates & { relativePath?: string };
  props: Map<string, string>;
};

function readModel(project: XmlElement): PomModel {
  const props = new Map<string, string>();
  for (const p of child(project, 'properties')?.children ?? []) props.set(p.name, p.text);
  const parentEl = child(project, 'parent');
  const parent =
    parentEl === undefined
      ? undefined
      : {
          ...optional('groupId', childText(parentEl, 'groupId')),
          ...optional('artifactId', childText(parentEl, 'artifactId')),
          ...optional('version', childText(parentEl, 'version')),
          ...optional('relativePath', child(parentEl, 'relativePath')?.text),
        };
  const coords: Coordinates = {
    ...optional('groupId', childText(project, 'groupId') ?? parent?.groupId),
    ...optional('artifactId', childText(project, 'artifactId')),
    ...optional('version', childText(project, 'version') ?? parent?.version),
  };
  return { project, coords, ...(parent !== undefined ? { parent } : {}), props };
}

function optional<K extends string>(key: K, v: string | undefined): { [P in K]?: string } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: string };
}

/** `a/b/pom.xml` + `../pom.xml` → `a/pom.xml`; a relativePath naming a directory means its pom.xml. */
export function parentPomPath(path: string, relativePath = '../pom.xml'): string | undefined {
  let rel = relativePath.trim().replace(/\\/g, '/');
  if (rel === '') return undefined;
  if (!rel.endsWith('.xml')) rel = `${rel.replace(/\/+$/, '')}/pom.xml`;
  const parts = dirName(path) === '' ? [] : dirName(path).split('/');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined; // outside the scanned root
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

/** Resolves `${…}` references; `undefined` when one cannot be resolved offline. */
function resolver(model: PomModel, parentModel: PomModel | undefined): (v: string) => string | undefined {
  const lookup = (name: string): string | undefined => {
    switch (name) {
      case 'project.version':
      case 'pom.version':
      case 'version':
        return model.coords.version;
      case 'project.groupId':
      case 'pom.groupId':
      case 'groupId':
        return model.coords.groupId;
      case 'project.artifactId':
      case 'pom.artifactId':
      case 'artifactId':
        return model.coords.artifactId;
      case 'project.parent.version':
      case 'parent.version':
        return model.parent?.version;
      case 'project.parent.groupId':
      case 'parent.groupId':
        return model.parent?.groupId;
    }
    return model.props.get(name) ?? parentModel?.props.get(name);
  };
  return (v: string) => {
    let out = v;
    // a property may name another; a cycle or a very long chain is given up on
    for (let round = 0; round < 10 && out.includes('${'); round++) {
      let missing = false;
      out = out.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
        const val = lookup(name.trim());
        if (val === undefined) missing = true;
        return val ?? '';
      });
      if (missing) return undefined;
    }
    return out.includes('${') ? undefined : out;
  };
}

/** `[1.2.3]` → 1.2.3; a soft requirement `1.2.3` as is; a range → undefined. */
function exact(v: string): string | undefined {
  const t = v.trim();
  const hard = /^\[\s*([^,\]\s]+)\s*\]$/.exec(t);
  if (hard) return hard[1];
  if (/[[\](),]/.test(t) || t === '') return undefined;
  return t;
}

type Dep = { groupId?: string; artifactId?: string; version?: string; scope?: string; optional?: string; line: number };

function depsOf(el: XmlElement | undefined): Dep[] {
  return children(child(el, 'dependencies'), 'dependency').map((d) => ({
    ...optional('groupId', childText(d, 'groupId')),
    ...optional('artifactId', childText(d, 'artifactId')),
    ...optional('version', childText(d, 'version')),
    ...optional('scope', childText(d, 'scope')),
    ...optional('optional', childText(d, 'optional')),
    line: d.line,
  }));
}

/** Parses pom.xml text; `related` may hold the parent POM (see `parentPomPath`). */
export function parsePom(text: string, path: string, related?: RelatedFiles): Extracted {
  const c = new Collector(path, 'Maven');
  const x = parseXml(text);
  for (const e of x.errors) c.issue(`invalid XML: ${e.message}`, e.line);
  if (x.root === undefined) return c.result();
  if (x.root.name !== 'project') {
    c.issue(`not a POM: the root element is <${x.root.name}>`, x.root.line);
    return c.result();
  }
  const model = readModel(x.root);
  let parentModel: PomModel | undefined;
  const parentPath = model.parent === undefined ? undefined : parentPomPath(path, model.parent.relativePath);
  const parentText = parentPath === undefined ? undefined : related?.get(parentPath);
  if (parentText !== undefined && model.parent !== undefined) {
    const px = parseXml(parentText);
    if (px.root?.name === 'project') {
      const pm = readModel(px.root);
      // only the POM the <parent> element names: a ../pom.xml of another project is not inherited from
      if (
        pm.coords.artifactId === model.parent.artifactId &&
        (model.parent.groupId === undefined || pm.coords.groupId === model.parent.groupId)
      ) {
        parentModel = pm;
      }
    }
  }
  const resolve = resolver(model, parentModel);
  const parentResolve = parentModel === undefined ? undefined : resolver(parentModel, undefined);

  // dependencyManagement: this file's first, then the parent's (Maven's nearest-wins)
  const managed = new Map<string, { version?: string; scope?: string }>();
  const manage = (deps: Dep[], res: (v: string) => string | undefined) => {
    for (const d of deps) {
      const g = d.groupId === undefined ? undefined : res(d.groupId);
      const a = d.artifactId === undefined ? undefined : res(d.artifactId);
      if (g === undefined || a === undefined) continue;
      if (d.scope === 'import') {
        c.issue(`${g}:${a}: a BOM import needs the repository; versions it manages are unknown offline`, d.line);
        continue;
      }
      const key = `${g}:${a}`;
      if (managed.has(key)) continue;
      const v = d.version === undefined ? undefined : res(d.version);
      managed.set(key, { ...optional('version', v), ...optional('scope', d.scope) });
    }
  };
  manage(depsOf(child(model.project, 'dependencyManagement')), resolve);
  if (parentModel !== undefined && parentResolve !== undefined)
    manage(depsOf(child(parentModel.project, 'dependencyManagement')), parentResolve);

  for (const d of depsOf(model.project)) {
    const g = d.groupId === undefined ? undefined : resolve(d.groupId);
    const a = d.artifactId === undefined ? undefined : resolve(d.artifactId);
    if (g === undefined || a === undefined) {
      c.issue(
        `dependency with an unresolvable groupId or artifactId (${d.groupId ?? '?'}:${d.artifactId ?? '?'})`,
        d.line,
      );
      continue;
    }
    const name = `${g}:${a}`;
    const m = managed.get(name);
    const written = d.version ?? m?.version;
    if (written === undefined) {
      c.issue(
        `${name}: no version here or in a dependencyManagement this file can see (a parent or BOM from the repository?)`,
        d.line,
      );
      continue;
    }
    const resolved = d.version !== undefined ? resolve(d.version) : m?.version;
    if (resolved === undefined) {
      c.issue(`${name}: version ${JSON.stringify(written)} refers to a property not defined here`, d.line);
      continue;
    }
    const version = exact(resolved);
    if (version === undefined) {
      c.issue(`${name}: version range ${JSON.stringify(resolved)} needs the repository to pick a version`, d.line);
      continue;
    }
    const scope = d.scope ?? m?.scope ?? 'compile';
    c.add({ name, version, line: d.line, dev: scope === 'test', direct: true });
  }
  const { groupId, artifactId, version } = model.coords;
  if (groupId !== undefined && artifactId !== undefined && version !== undefined) {
    const g = resolve(groupId);
    const a = resolve(artifactId);
    const v = resolve(version);
    if (g !== undefined && a !== undefined && v !== undefined)
      c.add({ name: `${g}:${a}`, version: v, line: x.root.line, root: true });
  }
  return c.result();
}
