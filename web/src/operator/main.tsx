// The operator console's entry (operator.html): for whoever runs the service,
// apart from the tenants' app, with its own sign-in (an operator token).
import { render } from 'preact';
import { OperatorApp } from './OperatorApp';
import './operator.css';

render(<OperatorApp />, document.getElementById('operator')!);
