import { describe, expect, it } from 'vitest';
import { allowedHostnames, hostAllowed, hostnameOf, isLoopbackAddress, originAllowed } from '../../src-main/server/request-guards';

describe('request guards', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.4.5.6', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
    ['fe80::1', false],
  ])('%s is loopback: %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });

  it('reads the name of a Host header', () => {
    expect(hostnameOf('LocalHost:8080')).toBe('localhost');
    expect(hostnameOf('[::1]:8080')).toBe('::1');
    expect(hostnameOf('127.0.0.1')).toBe('127.0.0.1');
    for (const bad of [undefined, '', 'a b', 'x@127.0.0.1', '127.0.0.1/x', '[::1', 'host:port']) expect(hostnameOf(bad)).toBeUndefined();
  });

  it('admits loopback names and the bound address; on every interface, also this machine', () => {
    const loopback = allowedHostnames('127.0.0.1', ['192.168.1.5'], 'box');
    expect(['localhost:1', '127.0.0.1:1', '[::1]:1', '127.0.0.2:1'].every((host) => hostAllowed(host, loopback))).toBe(true);
    expect(['192.168.1.5:1', 'box:1', 'evil.example:1', 'localhost.evil.example'].some((host) => hostAllowed(host, loopback))).toBe(false);
    const everywhere = allowedHostnames('0.0.0.0', ['192.168.1.5', 'FE80::1'], 'Box');
    expect(['192.168.1.5:1', '[fe80::1]:1', 'box:1', '0.0.0.0:1', 'localhost:1'].every((host) => hostAllowed(host, everywhere))).toBe(true);
    expect(hostAllowed('evil.example:1', everywhere)).toBe(false);
  });

  it('admits a socket without an Origin or from the page itself, and no other', () => {
    expect(originAllowed(undefined, '127.0.0.1:5000')).toBe(true);
    expect(originAllowed('http://127.0.0.1:5000', '127.0.0.1:5000')).toBe(true);
    for (const origin of [
      'null',
      'http://[',
      '',
      'file://',
      'http://evil.example',
      'http://127.0.0.1:5001',
      'chrome-extension://127.0.0.1:5000',
    ])
      expect(originAllowed(origin, '127.0.0.1:5000')).toBe(false);
  });
});
