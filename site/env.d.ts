declare namespace App {
  interface Locals {
    user: import('../api/services/auth/sessions.ts').StaffUser | null;
  }
}
