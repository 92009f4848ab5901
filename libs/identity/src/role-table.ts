import { PERMISSION_ROUTES, PERMISSIONS } from './permissions';
import { ROLE_DEFINITIONS, ROLES } from './roles';

/**
 * The role table as Markdown, generated from the data the guard enforces. A unit test checks that the
 * README's Security section contains exactly this text, so the documentation cannot drift.
 */
export function roleTableMarkdown(): string {
  const header = ['Permission', 'Routes', ...ROLES.map((r) => `\`${r}\``), '`platform key`'];
  const rows = PERMISSIONS.map((permission) => [
    `\`${permission}\``,
    PERMISSION_ROUTES[permission],
    ...ROLES.map((role) => (ROLE_DEFINITIONS[role].permissions.includes(permission) ? (ROLE_DEFINITIONS[role].scope === 'owned' ? 'own' : 'yes') : '')),
    permission === 'apikey:manage' ? 'yes' : '',
  ]);
  const table = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  const legend = ROLES.map((role) => `- \`${role}\`: ${ROLE_DEFINITIONS[role].summary}.`);
  return [...table, '', '"own": only on leads the caller owns or that are unassigned, and their opportunities.', '', ...legend].join('\n');
}
