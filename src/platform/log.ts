/** The "PingOne" log channel. Every line goes through `redact`: no token or secret is ever written. */
import * as vscode from 'vscode';
import type { RequestLogEntry } from '../core/http';
import { redact } from '../core/redact';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('PingOne', { log: true });
  }

  request(entry: RequestLogEntry): void {
    const outcome = entry.status !== undefined ? `${entry.status}` : `failed (${entry.error})`;
    this.channel.info(redact(`${entry.method} ${entry.url} → ${outcome} in ${entry.durationMs} ms`));
  }

  info(message: string): void {
    this.channel.info(redact(message));
  }

  error(message: string): void {
    this.channel.error(redact(message));
  }

  dispose(): void {
    this.channel.dispose();
  }
}
