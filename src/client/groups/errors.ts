/** The errors a group operation can end with; all are input the user can fix (exit code 2). */
import { InvalidInputError } from '../../shared/errors.js'

export class UnknownGroupError extends InvalidInputError {
  constructor (name: string) {
    // a member learns of a group from the add change its admin sends it, which may still be on
    // its way (waiting at this user's mailboxes until a sync, or not sent yet by an offline admin)
    super(`unknown group "${name}": see \`cairn group list\` (a group someone added you to appears once their update reaches you: run \`cairn sync\`)`)
    this.name = 'UnknownGroupError'
  }
}

export class AmbiguousGroupError extends InvalidInputError {
  constructor (name: string, ids: string[]) {
    super(`several groups are named "${name}" (${ids.join(', ')}): name one by its id`)
    this.name = 'AmbiguousGroupError'
  }
}

export class NotGroupMemberError extends InvalidInputError {
  constructor (group: string, who = 'you are') {
    super(`${who} not a member of group "${group}"`)
    this.name = 'NotGroupMemberError'
  }
}

export class NotGroupAdminError extends InvalidInputError {
  constructor (group: string) {
    super(`you are not an admin of group "${group}": only admins add, remove or promote members`)
    this.name = 'NotGroupAdminError'
  }
}

export class GroupFullError extends InvalidInputError {
  constructor (group: string, size: number, limit: number) {
    super(`group "${group}" would have ${size} members; the limit is ${limit} (config groups.maxMembers)`)
    this.name = 'GroupFullError'
  }
}
