import { describe, expect, it } from 'vitest';
import { userManagerOf } from '../../../../functions/core/kernel-log/memcg-path';

describe('userManagerOf', () => {
  it.each([
    // Real task_memcg values from the corpus (see test/fixtures/kernel), then the path measured in issue 14.
    ['/user.slice/user-21417.slice/user@21417.service', 21417, 'user@21417.service'],
    [
      '/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-thunderbird-265606.scope',
      1000,
      'user@1000.service',
    ],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/myapp-web.service', 1000, 'user@1000.service'],
  ])('finds the user manager above %s', (path, uid, manager) => {
    expect(userManagerOf(path)).toEqual({ uid, manager });
  });

  it.each([
    null,
    '/',
    '/system.slice/myapp.service',
    // A login session is the system manager's scope, not a user manager's unit.
    '/user.slice/user-1000.slice/session-4.scope',
    // Only a whole component counts: a system service whose name merely contains the text.
    '/system.slice/notuser@1000.service',
    '/system.slice/user@1000.service.d',
  ])('finds none above %s', (path) => {
    expect(userManagerOf(path)).toBeNull();
  });
});
