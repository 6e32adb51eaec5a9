/** The whole page: the login form until a token is accepted, then the dashboard. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient } from '../api/api-client.js';
import { DashboardController } from '../live/dashboard-controller.js';
import { DashboardView } from './dashboard-view.js';
import { LoginView } from './login-view.js';
import { loadToken, saveToken } from './token-store.js';

export function App() {
  const [token, setToken] = useState(loadToken);
  const [notice, setNotice] = useState('');
  const controller = useMemo(
    () => (token === '' ? null : new DashboardController({ api: new ApiClient(token) })),
    [token],
  );

  useEffect(() => {
    if (controller === null) return;
    const unsubscribe = controller.subscribe((view) => {
      if (view.status.unauthorized === '') return;
      saveToken('');
      setNotice(`Signed out: the server no longer accepts the token (${view.status.unauthorized}).`);
      setToken('');
    });
    controller.start();
    return () => {
      unsubscribe();
      controller.stop();
    };
  }, [controller]);

  if (controller === null)
    return (
      <LoginView
        notice={notice}
        onLogin={(accepted) => {
          saveToken(accepted);
          setNotice('');
          setToken(accepted);
        }}
      />
    );
  return (
    <DashboardView
      controller={controller}
      onLogout={() => {
        saveToken('');
        setNotice('Signed out.');
        setToken('');
      }}
    />
  );
}
