// The IMAPServer target (issue 6). This file keeps the target buildable until its code lands.
