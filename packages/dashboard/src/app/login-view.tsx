/** The sign-in form: one field labelled "Access token", checked against the API before it is kept. */
import { useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../api/api-client.js';

/** Props of LoginView. */
export interface LoginViewProps {
  /** Called with a token the API accepted. */
  onLogin: (token: string) => void;
  /** Why the user is here again (a token refused later), or ''. */
  notice: string;
}

export function LoginView({ onLogin, notice }: LoginViewProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (token === '') {
      setError('Enter the access token (<AccessToken> of Server.xml).');
      return;
    }
    setBusy(true);
    setError('');
    try {
      await new ApiClient(token).vhosts();
      onLogin(token);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? `Wrong access token. The server says: ${e.message}`
          : e instanceof Error
            ? e.message
            : String(e),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <h1>Sluice dashboard</h1>
      {notice !== '' && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-describedby={error === '' ? undefined : 'login-error'}>
        <label for="token">Access token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-invalid={error === '' ? undefined : 'true'}
          aria-describedby={error === '' ? undefined : 'login-error'}
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p id="login-error" class="error" role="alert">
          {error}
        </p>
      </form>
      <p class="hint">
        The token stays in this browser tab only (sessionStorage) and is sent as the API's Basic header.
      </p>
    </main>
  );
}
