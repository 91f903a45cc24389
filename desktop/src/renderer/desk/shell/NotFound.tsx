import { Link } from 'react-router';
import { deskPaths } from './paths.js';

export function NotFound() {
  return (
    <section aria-labelledby="not-found-title">
      <h1 id="not-found-title">Nothing here</h1>
      <p>
        This address is not a screen of the desk. <Link to={deskPaths.today()}>Go to Today</Link>.
      </p>
    </section>
  );
}
