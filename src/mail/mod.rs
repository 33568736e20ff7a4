//! Reading client mail: .eml files, Maildir folders and mbox files, decoded into plain messages.
