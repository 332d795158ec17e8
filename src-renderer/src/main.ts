import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { connectBridge } from './lib/transport';

const { bridge, transport } = connectBridge();
// Exposed for the browser tests and the devtools console; the app itself uses the imported bridge.
window.candleLens = bridge;

const target = document.getElementById('app');
if (target === null) throw new Error('missing #app');
mount(App, { target, props: { bridge, transport } });
