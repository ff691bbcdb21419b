/** Where a transfer is, for a status line: bytes done of the total. */
export interface TransferProgress { stage: 'reading' | 'sending' | 'receiving' | 'fetching' | 'saving', name: string, done: number, total: number }
