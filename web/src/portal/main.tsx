// The consumer portal's entry (portal.html): its own small bundle, apart from
// the agents' app.
import { render } from 'preact';
import { PortalApp } from './PortalApp';
import './portal.css';

render(<PortalApp />, document.getElementById('portal')!);
