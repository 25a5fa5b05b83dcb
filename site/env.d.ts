declare namespace App {
  interface Locals {
    user: import('../api/domain/accounts/sessions.ts').StaffUser | null;
  }
}
