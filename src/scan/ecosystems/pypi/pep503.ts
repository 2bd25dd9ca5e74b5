/** PEP 503 normalised project name: lower case, runs of `-`, `_`, `.` as one `-` (how PyPI and OSV key projects). */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
